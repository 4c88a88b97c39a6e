"""The closed-form theory of training (docs/paper.md section 4):

| module | job |
|---|---|
| `dynamics` | s_k(t), tau_k, the clock, the learning-rate schedule, the theory's loss |
| `curves` | the theory on a finished run's own axes (theory.csv, theory_loss.csv) |
| `predicted_accuracy` | the analogy accuracy the theory predicts over training, from M* alone |

Rules that evaluate the theory take a digest of this folder's files as a parameter
(rules/training_inputs.smk), so an edit here reruns them and their figures, never training.
"""
