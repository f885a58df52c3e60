from incjournal.cli import main

main()
