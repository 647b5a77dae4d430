import ArgumentParser
import SkiffCore

/// The `skiff` command: one binary for every stage of a model's life.
public struct SkiffCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "skiff",
        abstract: "Skiff: track, version, tune, register, serve and monitor machine-learning models.",
        version: SkiffVersion.string,
        subcommands: [
            ServerCommand.self,
            PredictCommand.self,
            ServeCommand.self,
            DriftCommand.self,
            ProfileCommand.self,
            TuneCommand.self,
            ConvertCommand.self,
            DataCommand.self,
        ]
    )

    public init() {}
}
