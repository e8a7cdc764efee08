from lctasks.cli.app import main

main()
