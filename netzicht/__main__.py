"""`python -m netzicht` runs the command line."""

from netzicht.cli import main

main()
