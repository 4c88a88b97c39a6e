# Closed-form embeddings W = U_d diag(sqrt(lambda_d)) of M*, PMI and PPMI.


rule closed_form_embedding:
    input:
        eigvals=spectrum_file("{closed_form}", "eigvals"),
        eigvecs=spectrum_file("{closed_form}", "eigvecs"),
        vocab=VOCAB,
    output:
        vec=path(EMBEDDING, model="{closed_form}"),
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
