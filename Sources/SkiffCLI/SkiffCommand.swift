import ArgumentParser

/// The `skiff` command: one binary for every stage of a model's life.
public struct SkiffCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "skiff",
        abstract: "Skiff: track, version, tune, register, serve and monitor machine-learning models.",
        version: SkiffVersion.string,
        subcommands: [
            PredictCommand.self
        ]
    )

    public init() {}
}
