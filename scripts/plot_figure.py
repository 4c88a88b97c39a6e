"""Draw one figure (the rules of rules/figures.smk's FIGURES table): PDF, PNG and the tidy CSV.

The figure's module w2vtheory.plots.<figure> reads the rule's inputs into the table it plots
(`tidy_data(inputs, **options)`) and draws that table (`draw(data)`).
snakemake.params: figure (the module's name), options. snakemake.output: pdf, png, csv.
"""

import importlib

from w2vtheory.plots import style
from w2vtheory.script_runner import run


def main(snakemake) -> None:
    module = importlib.import_module(f"w2vtheory.plots.{snakemake.params.figure}")
    data = module.tidy_data(dict(snakemake.input.items()), **snakemake.params.options)
    style.save_outputs(module.draw(data), data, snakemake.output.pdf, snakemake.output.png, snakemake.output.csv)


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
