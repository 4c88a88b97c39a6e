# Spectra stage: M*, PMI, PPMI (and the pair-weight matrix G) from the counts, and their top
# eigenpairs by largest algebraic eigenvalue.


rule compute_spectrum:
    input:
        **COUNTS,
    output:
        eigvals=spectrum_file("{matrix}", "eigvals"),
        eigvecs=spectrum_file("{matrix}", "eigvecs"),
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
        mem_mb=matrix_mem_mb(memory.SPECTRUM_COPIES),
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
