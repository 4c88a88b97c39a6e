"""Extra figure (rule spectra): eigenvalues of M*, PMI, PPMI and G on log-log axes."""

from w2vtheory.plots.spectra import write_spectra
from w2vtheory.script_runner import run


def main(snakemake):
    write_spectra(dict(snakemake.input.items()), **dict(snakemake.output.items()))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
