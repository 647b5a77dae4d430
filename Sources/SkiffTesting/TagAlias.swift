import SkiffCore

/// Swift Testing also declares `Tag`; inside this module the name means Skiff's key/value pair.
typealias Tag = SkiffCore.Tag
