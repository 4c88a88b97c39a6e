# Spectra stage: M*, PMI, PPMI (and the pair-weight matrix G) from the counts, and their top
# eigenpairs by largest algebraic eigenvalue.


rule compute_spectrum:
    input:
        cooccurrence="results/{experiment}/cooccurrence.npy",
        stats="results/{experiment}/cooccurrence.json",
        vocab="results/{experiment}/vocab.tsv",
    output:
        eigvals="results/{experiment}/spectrum/{matrix}_eigvals.npy",
        eigvecs="results/{experiment}/spectrum/{matrix}_eigvecs.npy",
    params:
        matrix=lambda wildcards: wildcards.matrix,
        n_eigenpairs=lambda wildcards: experiment_config(wildcards.experiment)["n_eigenpairs"],
        negative_weight=lambda wildcards: experiment_config(wildcards.experiment)["negative_weight"],
        pmi_floor=lambda wildcards: experiment_config(wildcards.experiment)["pmi_floor"],
        device=lambda wildcards: experiment_config(wildcards.experiment)["device"],
    threads: MAX_THREADS
    resources:
        # counts, the matrix, and the eigensolver's workspace
        mem_mb=lambda wildcards: matrix_mem_mb(wildcards, 5),
        gpu=lambda wildcards: int(experiment_config(wildcards.experiment)["device"] == "cuda"),
    log:
        "results/logs/{experiment}/compute_spectrum_{matrix}.log",
    benchmark:
        "results/benchmarks/{experiment}/compute_spectrum_{matrix}.tsv"
    conda:
        "../envs/spectra.yaml"
    script:
        "../scripts/compute_spectrum.py"
