"""A plugin module that fails to import: feedlint must warn and carry on."""

raise ImportError("this plugin is deliberately broken")
