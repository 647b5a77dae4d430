import SkiffCLI

@main
enum SkiffMain {
    static func main() async {
        await SkiffCommand.runFromCommandLine()
    }
}
