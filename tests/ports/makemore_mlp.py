# Port of Andrej Karpathy's "makemore part 2: MLP" notebook (karpathy/nn-zero-to-hero,
# lectures/makemore/makemore_part2_mlp.ipynb at commit 73c3fcc741f0): its code cells in
# order, unchanged below the import block except: names.txt (32033 names) is replaced by
# 400 made-up names over the same 26 letters (made in the import block); the training loop
# runs 1000 steps instead of 200000 (the loop is the same); the two cells that plot
# (matplotlib) are left out, each said where it was; and so is the exploratory first pass
# (code cells 4-5 and 7-19), written for a 32-example X: on the whole data set it fails in
# PyTorch too (torch.arange(32) against all of Y).
# ---- import block ----
import tinygrad_edu as torch
import tinygrad_edu.nn.functional as F
import random as _random
_syllables = ['an', 'be', 'ca', 'di', 'el', 'fo', 'gu', 'ha', 'is', 'jo', 'ka', 'li', 'mo',
              'ne', 'ou', 'pa', 'qu', 'ra', 'sy', 'ta', 'ul', 'vi', 'wy', 'xa', 'yo', 'ze']
words = [''.join(_random.Random(k).choices(_syllables, k=1 + k % 3)) for k in range(400)]
# ---- end of import block ----

# read in all the words
# (names.txt replaced: `words` is made in the import block)
words[:8]

len(words)

# build the vocabulary of characters and mappings to/from integers
chars = sorted(list(set(''.join(words))))
stoi = {s:i+1 for i,s in enumerate(chars)}
stoi['.'] = 0
itos = {i:s for s,i in stoi.items()}
print(itos)

# build the dataset
block_size = 3 # context length: how many characters do we take to predict the next one?

def build_dataset(words):  
  X, Y = [], []
  for w in words:

    #print(w)
    context = [0] * block_size
    for ch in w + '.':
      ix = stoi[ch]
      X.append(context)
      Y.append(ix)
      #print(''.join(itos[i] for i in context), '--->', itos[ix])
      context = context[1:] + [ix] # crop and append

  X = torch.tensor(X)
  Y = torch.tensor(Y)
  print(X.shape, Y.shape)
  return X, Y

import random
random.seed(42)
random.shuffle(words)
n1 = int(0.8*len(words))
n2 = int(0.9*len(words))

Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:n2])
Xte, Yte = build_dataset(words[n2:])

# ------------ now made respectable :) ---------------

Xtr.shape, Ytr.shape # dataset

g = torch.Generator().manual_seed(2147483647) # for reproducibility
C = torch.randn((27, 10), generator=g)
W1 = torch.randn((30, 200), generator=g)
b1 = torch.randn(200, generator=g)
W2 = torch.randn((200, 27), generator=g)
b2 = torch.randn(27, generator=g)
parameters = [C, W1, b1, W2, b2]

sum(p.nelement() for p in parameters) # number of parameters in total

for p in parameters:
  p.requires_grad = True

lre = torch.linspace(-3, 0, 1000)
lrs = 10**lre

lri = []
lossi = []
stepi = []

for i in range(1000):
  
  # minibatch construct
  ix = torch.randint(0, Xtr.shape[0], (32,))
  
  # forward pass
  emb = C[Xtr[ix]] # (32, 3, 10)
  h = torch.tanh(emb.view(-1, 30) @ W1 + b1) # (32, 200)
  logits = h @ W2 + b2 # (32, 27)
  loss = F.cross_entropy(logits, Ytr[ix])
  #print(loss.item())
  
  # backward pass
  for p in parameters:
    p.grad = None
  loss.backward()
  
  # update
  #lr = lrs[i]
  lr = 0.1 if i < 100000 else 0.01
  for p in parameters:
    p.data += -lr * p.grad

  # track stats
  #lri.append(lre[i])
  stepi.append(i)
  lossi.append(loss.log10().item())

#print(loss.item())

# (a cell that plots with matplotlib is left out here)

emb = C[Xtr] # (32, 3, 2)
h = torch.tanh(emb.view(-1, 30) @ W1 + b1) # (32, 100)
logits = h @ W2 + b2 # (32, 27)
loss = F.cross_entropy(logits, Ytr)
loss

emb = C[Xdev] # (32, 3, 2)
h = torch.tanh(emb.view(-1, 30) @ W1 + b1) # (32, 100)
logits = h @ W2 + b2 # (32, 27)
loss = F.cross_entropy(logits, Ydev)
loss

# (a cell that plots with matplotlib is left out here)

# training split, dev/validation split, test split
# 80%, 10%, 10%

context = [0] * block_size
C[torch.tensor([context])].shape



# sample from the model
g = torch.Generator().manual_seed(2147483647 + 10)

for _ in range(20):
    
    out = []
    context = [0] * block_size # initialize with all ...
    while True:
      emb = C[torch.tensor([context])] # (1,block_size,d)
      h = torch.tanh(emb.view(1, -1) @ W1 + b1)
      logits = h @ W2 + b2
      probs = F.softmax(logits, dim=1)
      ix = torch.multinomial(probs, num_samples=1, generator=g).item()
      context = context[1:] + [ix]
      out.append(ix)
      if ix == 0:
        break
    
    print(''.join(itos[i] for i in out))
