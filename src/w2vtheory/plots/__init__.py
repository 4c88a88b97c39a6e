"""The paper's figures (docs/paper.md section 6): one module per figure, one shared style.

Each figure module has a `*_data` function that reads workflow outputs and returns the tidy table
of exactly what is plotted (written beside the figure as CSV), and a `plot_*` function that draws
that table. The figures read only files the workflow wrote; nothing here recomputes M*.
"""
