# From a raw corpus to the closed-form features of word2vec (Karkada et al., NeurIPS 2025):
# corpus -> tokens -> counts -> spectra -> embeddings / training -> evaluation -> analysis -> figures.


configfile: f"{workflow.basedir}/config.yaml"


include: "rules/common.smk"
include: "rules/figure_inputs.smk"
include: "rules/training_inputs.smk"
include: "rules/corpus.smk"
include: "rules/counts.smk"
include: "rules/spectra.smk"
include: "rules/embeddings.smk"
include: "rules/training.smk"
include: "rules/evaluation.smk"
include: "rules/analysis.smk"
include: "rules/figures.smk"


report: "report/workflow.rst"


rule all:
    default_target: True
    input:
        default_targets(),


rule paper:
    input:
        [experiment_targets(name) for name in config.get("paper_experiments", [])],
