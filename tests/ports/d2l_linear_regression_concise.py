# Port of Dive into Deep Learning, "Concise Implementation of Linear Regression"
# (https://d2l.ai/chapter_linear-networks/linear-regression-concise.html, the PyTorch code
# of the d2l 0.17 edition, section 3.3). `from d2l import torch as d2l` is replaced by the
# one d2l function the section uses, synthetic_data, copied from d2l (section 3.2) into
# the import block, which also holds the section's later `from torch import nn`.
# Unchanged below the import block.
# ---- import block ----
import tinygrad_edu as torch
from tinygrad_edu.utils import data
from tinygrad_edu import nn
class d2l:
    @staticmethod
    def synthetic_data(w, b, num_examples):  #@save
        """Generate y = Xw + b + noise."""
        X = torch.normal(0, 1, (num_examples, len(w)))
        y = torch.matmul(X, w) + b
        y += torch.normal(0, 0.01, y.shape)
        return X, y.reshape((-1, 1))
# ---- end of import block ----

true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = d2l.synthetic_data(true_w, true_b, 1000)

def load_array(data_arrays, batch_size, is_train=True):  #@save
    """Construct a PyTorch data iterator."""
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)

batch_size = 10
data_iter = load_array((features, labels), batch_size)

next(iter(data_iter))

# `nn` is an abbreviation for neural networks

net = nn.Sequential(nn.Linear(2, 1))

net[0].weight.data.normal_(0, 0.01)
net[0].bias.data.fill_(0)

loss = nn.MSELoss()

trainer = torch.optim.SGD(net.parameters(), lr=0.03)

num_epochs = 3
for epoch in range(num_epochs):
    for X, y in data_iter:
        l = loss(net(X) ,y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(features), labels)
    print(f'epoch {epoch + 1}, loss {l:f}')

w = net[0].weight.data
print('error in estimating w:', true_w - w.reshape(true_w.shape))
b = net[0].bias.data
print('error in estimating b:', true_b - b)
