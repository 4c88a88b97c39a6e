import time
import numpy as np, pandas as pd
from w2vtheory import task_vectors as tv
from w2vtheory.benchmarks import read_analogy_questions
from w2vtheory.vocab import read_lexicon
B='/work/baseline/results/default'
words,_=read_lexicon(f'{B}/vocab.tsv')
q=read_analogy_questions('/work/baseline/resources/benchmarks/questions-words.txt')
vals=np.load(f'{B}/spectrum/mstar_eigvals.npy'); vecs=np.load(f'{B}/spectrum/mstar_eigvecs.npy')
cats=['gram7-past-tense','family','gram1-adjective-to-adverb','gram8-plural','gram3-comparative']
pairs=tv.select_categories(q,words,cats,'q')
t=time.time(); sp=tv.task_vector_spectra(vals,vecs,pairs,[128,256,512,1024]); print('spectra s',time.time()-t)
p=sp[sp.series.str.contains('effective_dim|ks_distance')|(sp.series=='snr')]
print(p.pivot_table(index=['category','dim'],columns='series',values='y').round(3).to_string())
