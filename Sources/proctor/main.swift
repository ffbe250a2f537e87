import ProctorCLI

ProctorCommand.launch()
