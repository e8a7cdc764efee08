from lctasks.cli.entry import main

main()
