"""The generated parts of docs/: the configuration reference (`configuration`, from the config
schema and config.yaml's defaults) and the tables of docs/results.md (`results`, from a finished
job's results/ directory). `python -m w2vtheory.documentation` (`make docs`) writes both.
"""
