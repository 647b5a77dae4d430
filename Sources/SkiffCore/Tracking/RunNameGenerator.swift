/// Generates MLflow-style run names such as `brave-otter-417` when a client gives none.
public enum RunNameGenerator {
    static let adjectives = [
        "able", "agile", "amber", "ancient", "bold", "brave", "bright", "brisk", "calm", "capable", "casual",
        "clever", "crisp", "curious", "daring", "deft", "eager", "earnest", "fearless", "fleet", "gentle",
        "glad", "golden", "grand", "handsome", "honest", "humble", "jolly", "keen", "kind", "lively", "loyal",
        "lucky", "merry", "mighty", "modest", "nimble", "noble", "patient", "placid", "polite", "proud",
        "quick", "quiet", "rare", "resilient", "rogue", "serene", "sharp", "shy", "silent", "sleek", "smart",
        "steady", "stellar", "sturdy", "swift", "tender", "thoughtful", "tidy", "upbeat", "valiant", "vivid",
        "warm", "wise", "witty", "zealous",
    ]
    static let nouns = [
        "albatross", "ant", "badger", "bass", "bat", "bear", "beaver", "bee", "bird", "bison", "boar", "bobcat",
        "carp", "cat", "cod", "colt", "crab", "crane", "crow", "deer", "dog", "dolphin", "dove", "duck", "eagle",
        "eel", "elk", "falcon", "ferret", "finch", "fish", "foal", "fox", "frog", "gnat", "goat", "goose",
        "gull", "hare", "hawk", "hen", "heron", "horse", "hound", "ibis", "jay", "koi", "lamb", "lark", "lion",
        "lynx", "mole", "moose", "moth", "mouse", "newt", "otter", "owl", "ox", "panda", "perch", "pig",
        "pike", "puma", "ram", "rat", "raven", "robin", "salmon", "seal", "shark", "sheep", "shrew", "skink",
        "slug", "snail", "snake", "sow", "squid", "stag", "stork", "swan", "tern", "toad", "trout", "turtle",
        "vole", "wasp", "whale", "wolf", "worm", "wren", "yak", "zebra",
    ]

    /// A new random name.
    public static func next<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let adjective = adjectives.randomElement(using: &generator)!
        let noun = nouns.randomElement(using: &generator)!
        return "\(adjective)-\(noun)-\(Int.random(in: 0..<1000, using: &generator))"
    }

    /// A new random name from the system generator.
    public static func next() -> String {
        var g = SystemRandomNumberGenerator()
        return next(using: &g)
    }
}
