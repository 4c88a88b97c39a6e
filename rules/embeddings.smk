# Closed-form embeddings W = U_d diag(sqrt(lambda_d)) of M*, PMI and PPMI.


rule closed_form_embedding:
    input:
        eigvals="results/{experiment}/spectrum/{closed_form}_eigvals.npy",
        eigvecs="results/{experiment}/spectrum/{closed_form}_eigvecs.npy",
        vocab="results/{experiment}/vocab.tsv",
    output:
        vec="results/{experiment}/embeddings/{closed_form}.vec",
    log:
        "results/logs/{experiment}/closed_form_embedding_{closed_form}.log",
    benchmark:
        "results/benchmarks/{experiment}/closed_form_embedding_{closed_form}.tsv"
    conda:
        "../envs/spectra.yaml"
    params:
        dim=experiment_param("dim"),
    script:
        "../scripts/closed_form_embedding.py"
