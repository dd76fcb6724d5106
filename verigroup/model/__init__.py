"""The IR: expressions, properties, the Model, materialised games."""
