"""The analyses the figures draw, each a tidy table computed once by its own rule (docs/architecture.md):

| module | job |
|---|---|
| `directions` | principal directions and singular directions of an embedding, their overlaps |
| `snapshots` | Fig 1's embedding snapshots as modes are learned |
| `task_vectors` | analogy task vectors in the eigenbasis of M* |
| `feature_atlas` | what each eigenfeature of M* means and when training learns it |
| `rise_times` | when each of a run's top modes rises, against the theory's tau_k |
"""
