from verigroup.cli.main import entry

entry()
