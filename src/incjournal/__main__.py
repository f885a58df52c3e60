from incjournal.startup import main

main()
