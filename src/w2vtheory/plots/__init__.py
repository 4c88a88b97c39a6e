"""The paper's figures (docs/paper.md section 6): one module per figure, one shared style.

Each figure module has `tidy_data(inputs, **options)`, which reads the files its rule declares
(mostly analysis tables; run files through `run_files`) into the tidy table of exactly what is
plotted (written beside the figure as CSV), and `draw(data)`, which draws that table;
scripts/plot_figure.py calls both. `fig3_table` is a table with its own rule; `style` and
`task_vector_panels` are shared. The figures read only files the workflow wrote; nothing here
recomputes M*.
"""
