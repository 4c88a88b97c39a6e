import json, time
import numpy as np, pandas as pd
from w2vtheory.spectra import build_matrix, top_eigenpairs
from w2vtheory.vocab import read_lexicon
from w2vtheory.embeddings import closed_form_embedding
from w2vtheory.evaluation import evaluate_embedding
from w2vtheory.benchmarks import read_analogy_questions, read_similarity
B='/work/baseline/results/default'; R='/work/baseline/resources/benchmarks'
words,counts=read_lexicon(f'{B}/vocab.tsv'); C=np.load(f'{B}/cooccurrence.npy'); st=json.load(open(f'{B}/cooccurrence.json'))
M=build_matrix('pmi',C,counts,st['window'],st['n_pairs'],1.0,1e-25)
t=time.time(); vals,vecs=top_eigenpairs(M,100,device='cpu',n_threads=1); print('eig s',time.time()-t)
q=read_analogy_questions(f'{R}/questions-words.txt')
sim={n:read_similarity(f'{R}/{n}.tsv') for n in ('men','ws353','simlex')}
scores,_=evaluate_embedding(words,closed_form_embedding(vals,vecs,100),q,sim)
print('new pmi', scores.to_string())
print('old pmi', pd.read_csv(f'{B}/evaluation/pmi.csv').to_string())
old=np.load(f'{B}/spectrum/pmi_eigvals.npy'); print('old top eig',old[:3],'new',vals[:3], 'nonneg new top100', (vals>=0).sum())
