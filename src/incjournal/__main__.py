from incjournal.launch import main

main()
