import time, json
import numpy as np, pandas as pd
from w2vtheory.benchmarks import read_analogy_questions
from w2vtheory.vocab import read_lexicon
from w2vtheory.evaluation import build_pair_analogies
from w2vtheory.predicted_accuracy import evaluation_comparison, prediction_table, first_tau
from w2vtheory.theory import init_s0
B='/work/baseline/results/default'
words,_=read_lexicon(f'{B}/vocab.tsv')
an=build_pair_analogies(read_analogy_questions('/work/baseline/resources/benchmarks/questions-words.txt'),words)
vals=np.load(f'{B}/spectrum/mstar_eigvals.npy')[:100]; vecs=np.load(f'{B}/spectrum/mstar_eigvecs.npy')[:,:100]
for run,scale in (('qwem',1e-12),('sgns',1e-6)):
    s0=init_s0(scale)
    ev=pd.read_csv(f'{B}/runs/{run}/evaluations.csv')
    t=time.time(); c=evaluation_comparison(ev,vals,vecs,an,s0); print(run,'secs',time.time()-t, 'tau1', first_tau(vals,s0), json.load(open(f'{B}/runs/{run}/run.json'))['tau'][0])
    pd.set_option('display.width',200)
    print(c.iloc[::4].to_string())
    after=c[c.t_over_tau1>1]
    print('max |diff| after tau1', after.difference.abs().max())
t=time.time(); p=prediction_table(vals,vecs,an,init_s0(1e-12)); print('grid secs',time.time()-t); print(p.iloc[::20].to_string())
