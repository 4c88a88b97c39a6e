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
    log:
        "results/logs/{experiment}/compute_spectrum_{matrix}.log",
    benchmark:
        "results/benchmarks/{experiment}/compute_spectrum_{matrix}.tsv"
    # ahead of the converged references (priority 10), which wait for M*'s eigenvalues
    priority: 20
    conda:
        "../envs/spectra.yaml"
    threads: MAX_THREADS
    resources:
        # counts, the matrix, and the eigensolver's workspace
        mem_mb=lambda wildcards: matrix_mem_mb(wildcards, 5),
        gpu=spectrum_gpus,
    params:
        matrix=lambda wildcards: wildcards.matrix,
        n_eigenpairs=lambda wildcards: experiment_config(wildcards.experiment)[
            "n_eigenpairs"
        ][wildcards.matrix],
        negative_weight=experiment_param("negative_weight"),
        pmi_floor=experiment_param("pmi_floor"),
        device=experiment_param("device"),
    script:
        "../scripts/compute_spectrum.py"
