from clearway.entrypoints.cli.main import main

main()
