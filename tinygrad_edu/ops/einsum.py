"""``einsum``: sums of products named by index letters, e.g. "ij,jk->ik" (a matrix product).

z[out] = sum over the letters not in ``out`` of  x1[s1] * x2[s2] * ...

The product is linear in each operand, so the gradient for operand k is the same kind of
sum with dL/dz in k's place: dL/dx_k[s_k] = sum of dL/dz[out] * (product of the others),
i.e. another einsum "out,s_1,..(without s_k)..->s_k". A letter that appears only in s_k
(summed away inside x_k alone) gets no term from the others: its gradient is the same for
every value of that letter, so the result is broadcast along it.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd.function import Function


def parse(equation: str, n_operands: int) -> tuple[list[str], str]:
    """The operands' subscripts and the output's, with the implicit output filled in."""
    eq = equation.replace(" ", "")
    if "." in eq:
        raise NotImplementedError("einsum: '...' (ellipsis) subscripts are not supported")
    lhs, arrow, out = eq.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != n_operands:
        raise ValueError(
            f"einsum(): the equation names {len(inputs)} operands but {n_operands} were given"
        )
    if not arrow:  # implicit output: the letters used once, in alphabetical order
        letters = "".join(inputs)
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for s in inputs:
        if len(set(s)) != len(s):
            raise NotImplementedError(
                f"einsum: a letter repeated within one operand ({s!r}, a diagonal) is not "
                "supported; use torch.diagonal"
            )
    return inputs, out


class Einsum(Function):
    """z = einsum(equation, x1, x2, ...).   dL/dx_k = einsum(out, others -> s_k) of dL/dz
    and the other operands, broadcast along letters only x_k has."""

    @staticmethod
    def forward(ctx, *operands, equation):
        ctx.inputs_subs, ctx.out_subs = parse(equation, len(operands))
        ctx.save_for_backward(*operands)
        spec = ",".join(ctx.inputs_subs) + "->" + ctx.out_subs
        return np.asarray(np.einsum(spec, *[x._data for x in operands], optimize=True))

    @staticmethod
    def backward(ctx, grad):
        operands = ctx.saved_tensors
        return tuple(
            _operand_grad(k, grad, operands, ctx.inputs_subs, ctx.out_subs)
            if ctx.needs_input_grad[k]
            else None
            for k in range(len(operands))
        )

    @staticmethod
    def jvp(ctx, *tangents):
        """Forward mode: dz = sum over k of the einsum with dx_k in x_k's place."""
        from tinygrad_edu.autograd.forward_ad import sum_tangents

        operands = ctx.saved_tensors
        spec = ",".join(ctx.inputs_subs) + "->" + ctx.out_subs
        terms = []
        for k, t in enumerate(tangents):
            if t is not None:
                args = [t if i == k else x for i, x in enumerate(operands)]
                terms.append(Einsum.apply(*args, equation=spec))
        return sum_tangents(*terms)


def _operand_grad(k, grad, operands, inputs, out):
    target = inputs[k]
    others = [(s, x) for i, (s, x) in enumerate(zip(inputs, operands)) if i != k]
    present = set(out).union(*[set(s) for s, _ in others])
    kept = "".join(c for c in target if c in present)  # letters the sum can produce
    spec = ",".join([out] + [s for s, _ in others]) + "->" + kept
    g = Einsum.apply(grad, *[x for _, x in others], equation=spec)
    if kept == target:
        return g
    shape = operands[k].shape
    # Letters only x_k has: put size-1 axes there and broadcast (the gradient is constant
    # along them).
    with_ones = tuple(shape[i] if c in present else 1 for i, c in enumerate(target))
    return g.reshape(with_ones).expand(shape)
