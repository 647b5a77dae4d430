import SkiffCLI

await SkiffCommand.runFromCommandLine()
