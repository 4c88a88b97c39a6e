"""Words at the ends of the principal directions (rule principal_words; Fig 3a).

snakemake.input: <model>_left and <model>_values (.npy) of the small-init runs' SVDs, ppmi_eigvals,
ppmi_eigvecs, vocab. snakemake.params: dim, n_components, n_words. snakemake.output: words (CSV:
model, component, end, rank, word, value).
"""

from w2vtheory.analysis.directions import principal_coordinates, principal_words_table
from w2vtheory.atomic import write_table
from w2vtheory.closed_form.embeddings import closed_form_embedding
from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.evaluation.scoring import unit_rows
from w2vtheory.finite import load_npy
from w2vtheory.script_runner import run

TRAINED = ("sgns", "qwem")


def main(snakemake) -> None:
    params = snakemake.params
    words, _ = read_lexicon(snakemake.input.vocab)
    coordinates = {
        model: principal_coordinates(
            load_npy(snakemake.input[f"{model}_left"]), load_npy(snakemake.input[f"{model}_values"])
        )
        for model in TRAINED
    }
    # PPMI's closed form U_d sqrt(lambda_d) is already in its principal basis
    ppmi = closed_form_embedding(
        load_npy(snakemake.input.ppmi_eigvals), load_npy(snakemake.input.ppmi_eigvecs), params.dim
    )
    coordinates["ppmi"] = unit_rows(ppmi)
    write_table(snakemake.output.words, principal_words_table(coordinates, words, params.n_components, params.n_words))


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
