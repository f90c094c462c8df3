from custlens.cli import main

main()
