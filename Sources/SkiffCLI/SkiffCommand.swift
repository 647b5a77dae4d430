import ArgumentParser

/// The `skiff` command: one binary for every stage of a model's life.
public struct SkiffCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "skiff",
        abstract: "Skiff: track, version, tune, register, serve and monitor machine-learning models.",
        version: SkiffVersion.string,
        subcommands: [
            DriftCommand.self,
            ProfileCommand.self,
        ]
    )

    public init() {}

    /// Parses the process arguments and runs the chosen subcommand.
    ///
    /// Called from the executable's top-level code, where `SkiffCommand.main()` would resolve to
    /// ArgumentParser's synchronous entry point (which refuses an asynchronous root command).
    public static func runFromCommandLine() async {
        await main()
    }
}
