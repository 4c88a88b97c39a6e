# Figures stage: the paper's figures (docs/paper.md section 6) and the headline table, PDF + PNG +
# a tidy CSV of the plotted data under results/<experiment>/figures/. An experiment's `figures`
# key maps roles to run names; a figure whose roles are missing is not produced.
#
# FIGURES (rules/figure_inputs.smk) drives one rule per figure, named after it, that runs
# scripts/plot_figure.py: the module w2vtheory.plots.<name> reads `inputs` (mostly tables of
# rules/analysis.smk) with `options` into the tidy table it plots and draws it; report/<name>.rst is
# its caption. Adding a figure is an entry in FIGURES, that module, that caption and a test
# (docs/architecture.md, "Adding a figure").


for figure_name, figure in FIGURES.items():

    rule:
        name:
            figure_name
        input:
            unpack(figure["inputs"]),
        output:
            **figure_outputs(figure_name, figure["subcategory"]),
        log:
            f"results/logs/{{experiment}}/figures/{figure_name}.log",
        benchmark:
            f"results/benchmarks/{{experiment}}/figures/{figure_name}.tsv"
        conda:
            "../envs/plots.yaml"
        params:
            figure=figure_name,
            options=figure["options"],
        script:
            "../scripts/plot_figure.py"


rule fig3_table:
    input:
        benchmarks=BENCHMARKS,
    output:
        **figure_outputs(
            "fig3_table",
            "Headline table",
            {"markdown": f"{FIGURES_DIR}/fig3_table.md"},
        ),
    log:
        "results/logs/{experiment}/figures/fig3_table.log",
    benchmark:
        "results/benchmarks/{experiment}/figures/fig3_table.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        settings=lambda wildcards: {
            "corpus": experiment_config(wildcards.experiment)["corpus"],
            "vocab_size": experiment_config(wildcards.experiment)["vocab_size"],
            "dim": experiment_config(wildcards.experiment)["dim"],
            "window": experiment_config(wildcards.experiment)["window"],
            "small_init": role_runs(wildcards, "small_init", MODEL_PAIR),
        },
    script:
        "../scripts/plot_fig3_table.py"
