import ArgumentParser

extension SkiffCommand {
    /// Parses the process's arguments and runs the chosen subcommand, through ArgumentParser's async entry point.
    ///
    /// Call this from the executable instead of `main()`: from a module that does not import ArgumentParser,
    /// `await SkiffCommand.main()` resolves to the synchronous overload, which refuses an async root command.
    public static func runFromCommandLine() async {
        let arguments: [String]? = nil
        await (self as any AsyncParsableCommand.Type).main(arguments)
    }
}
