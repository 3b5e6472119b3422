"""The web layer: thin blueprints, the CLI and the glue that binds the domain to Flask."""
