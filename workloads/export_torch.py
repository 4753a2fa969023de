#!/usr/bin/python3
"""Export a torch.nn.Module to eoqsim's network JSON (schema eoqsim.network/1).

Usage:
  /usr/bin/python3 workloads/export_torch.py --model resnet18 -o resnet18.json
  /usr/bin/python3 workloads/export_torch.py --model mypkg.nets:build_net --input 3,32,32 -o net.json

--model is a torchvision model name (built without weights) or "package.module:callable", a
callable returning an nn.Module. --input is the per-sample input shape C,H,W (default 3,224,224).

The module is traced with torch.fx; each layer is named after its module (torchvision's names:
layer1.0.conv1), and operations written in a module's forward (residual additions) after that
module (layer1.0.add). Supported: Conv2d, Linear, BatchNorm1d/2d, ReLU, ReLU6, MaxPool2d,
global average pooling, residual additions, and layout no-ops (flatten, view, reshape, Identity,
Dropout). A softmax cross-entropy loss is appended after the output. Anything else stops the
export with a message naming the node. Errors exit with status 2.
"""
import argparse
import importlib
import json
import operator
import os
import sys
import tempfile


def fail(msg):
    sys.stderr.write("export_torch.py: error: " + msg + "\n")
    sys.exit(2)


try:
    import torch
    import torch.fx
    import torch.nn as nn
    import torch.nn.functional as F
    from torch.fx.passes.shape_prop import ShapeProp
except ImportError as e:  # pragma: no cover - environment problem
    fail("PyTorch is needed (Debian: apt-get install python3-torch python3-torchvision): %s" % e)


class ScopedTracer(torch.fx.Tracer):
    """Records, for every node, the qualified name of the module whose forward created it."""

    def __init__(self):
        super().__init__()
        self.scope = ""

    def call_module(self, m, forward, args, kwargs):
        outer = self.scope
        self.scope = self.path_of_module(m)
        try:
            return super().call_module(m, forward, args, kwargs)
        finally:
            self.scope = outer

    def create_node(self, kind, target, args, kwargs, name=None, type_expr=None):
        node = super().create_node(kind, target, args, kwargs, name, type_expr)
        node.meta["eoqsim_scope"] = self.scope
        return node


def build_model(spec):
    if ":" in spec:
        mod_name, fn_name = spec.split(":", 1)
        try:
            mod = importlib.import_module(mod_name)
        except ImportError as e:
            fail("--model %s: cannot import %s: %s" % (spec, mod_name, e))
        fn = getattr(mod, fn_name, None)
        if fn is None or not callable(fn):
            fail("--model %s: %s has no callable %s" % (spec, mod_name, fn_name))
        model = fn()
    else:
        try:
            import torchvision
        except ImportError as e:
            fail("torchvision is needed for --model NAME (Debian: python3-torchvision): %s" % e)
        fn = getattr(torchvision.models, spec, None)
        if fn is None or not callable(fn):
            fail("--model %s: not a torchvision model name (e.g. resnet18, resnet50, mobilenet_v2, vgg16) "
                 "and not package.module:callable" % spec)
        try:
            model = fn(weights=None)
        except TypeError:
            model = fn(pretrained=False)
    if not isinstance(model, nn.Module):
        fail("--model %s did not produce a torch.nn.Module" % spec)
    return model


def pair(v):
    return [int(v[0]), int(v[1])] if isinstance(v, (tuple, list)) else [int(v), int(v)]


def export(model, input_shape, name, example_shape=None):
    model.eval()
    tracer = ScopedTracer()
    try:
        graph = tracer.trace(model)
    except Exception as e:  # torch.fx cannot trace data-dependent control flow
        fail("torch.fx cannot trace the model: %s" % e)
    gm = torch.fx.GraphModule(tracer.root, graph)
    example = torch.zeros(1, *(example_shape or input_shape))
    try:
        ShapeProp(gm).propagate(example)
    except Exception as e:
        fail("running the model on an input of shape %s failed: %s" % (list(input_shape), e))
    modules = dict(gm.named_modules())

    layers = []
    notes = []
    value = {}  # fx node -> eoqsim layer name ("input" for the network input)
    used = {}
    dropouts = 0

    def shape(node):
        tm = node.meta.get("tensor_meta")
        return list(tm.shape) if tm is not None and hasattr(tm, "shape") else None

    def unique(base):
        k = used.get(base, 0)
        used[base] = k + 1
        return base if k == 0 else "%s_%d" % (base, k)

    def src(node, arg):
        if not isinstance(arg, torch.fx.Node) or arg not in value:
            fail("node %s: input %r is not a tensor produced by a supported layer" % (node.name, arg))
        return value[arg]

    def emit(node, layer_name, typ, inputs, **fields):
        layer = {"name": unique(layer_name), "type": typ, "inputs": inputs}
        layer.update(fields)
        layers.append(layer)
        value[node] = layer["name"]

    def functional_name(node, op):
        scope = node.meta.get("eoqsim_scope", "")
        return scope + "." + op if scope else op

    def alias(node, arg):
        value[node] = src(node, arg)

    for node in gm.graph.nodes:
        if node.op == "placeholder":
            value[node] = "input"
        elif node.op == "get_attr":
            fail("node %s reads parameter %s directly; only module calls are supported" % (node.name, node.target))
        elif node.op == "call_module":
            m = modules[node.target]
            x = node.args[0] if node.args else None
            if isinstance(m, nn.Conv2d):
                if pair(m.dilation) != [1, 1]:
                    fail("%s: dilated convolutions are not supported" % node.target)
                if isinstance(m.padding, str):
                    fail("%s: padding=%r; give explicit padding" % (node.target, m.padding))
                if m.padding_mode != "zeros":
                    fail("%s: padding_mode %s is not supported" % (node.target, m.padding_mode))
                emit(node, node.target, "conv", [src(node, x)], out_channels=m.out_channels,
                     kernel=pair(m.kernel_size), stride=pair(m.stride), padding=pair(m.padding),
                     groups=m.groups, bias=m.bias is not None)
            elif isinstance(m, nn.Linear):
                emit(node, node.target, "fc", [src(node, x)], out_features=m.out_features, bias=m.bias is not None)
            elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                emit(node, node.target, "batchnorm", [src(node, x)])
            elif isinstance(m, nn.ReLU):
                emit(node, node.target, "relu", [src(node, x)])
            elif isinstance(m, nn.ReLU6) or (isinstance(m, nn.Hardtanh) and m.min_val == 0 and m.max_val == 6):
                emit(node, node.target, "relu6", [src(node, x)])
            elif isinstance(m, nn.MaxPool2d):
                if pair(m.dilation) != [1, 1]:
                    fail("%s: dilated pooling is not supported" % node.target)
                stride = m.stride if m.stride is not None else m.kernel_size
                fields = dict(kernel=pair(m.kernel_size), stride=pair(stride), padding=pair(m.padding))
                if m.ceil_mode:
                    fields["ceil_mode"] = True
                emit(node, node.target, "maxpool", [src(node, x)], **fields)
            elif isinstance(m, nn.AdaptiveAvgPool2d):
                out, ins = pair(m.output_size), shape(x)
                if out == [1, 1]:
                    emit(node, node.target, "avgpool", [src(node, x)])
                elif ins is not None and ins[2:] == out:
                    notes.append("%s: adaptive average pooling to %s is the identity at this input size" %
                                 (node.target, out))
                    alias(node, x)
                else:
                    fail("%s: only global average pooling (output 1x1) is supported, found output %s on input %s" %
                         (node.target, out, ins))
            elif isinstance(m, (nn.Dropout, nn.Dropout2d)):
                dropouts += 1
                alias(node, x)
            elif isinstance(m, (nn.Identity, nn.Flatten)):
                alias(node, x)
            else:
                fail("%s: module type %s is not supported" % (node.target, type(m).__name__))
        elif node.op == "call_function":
            fn = node.target
            args = node.args
            if fn in (operator.add, operator.iadd, torch.add):
                a, b = args[0], args[1]
                if not (isinstance(a, torch.fx.Node) and isinstance(b, torch.fx.Node)):
                    fail("node %s adds a constant; only residual additions of two tensors are supported" % node.name)
                emit(node, functional_name(node, "add"), "add", [src(node, a), src(node, b)])
            elif fn in (torch.flatten, torch.reshape, torch.squeeze, F.dropout):
                if fn is F.dropout:
                    dropouts += 1
                alias(node, args[0])
            elif fn in (F.relu, torch.relu):
                emit(node, functional_name(node, "relu"), "relu", [src(node, args[0])])
            elif fn is F.relu6:
                emit(node, functional_name(node, "relu6"), "relu6", [src(node, args[0])])
            elif fn in (F.adaptive_avg_pool2d,):
                out = pair(args[1] if len(args) > 1 else node.kwargs.get("output_size"))
                if out != [1, 1]:
                    fail("node %s: only global average pooling is supported" % node.name)
                emit(node, functional_name(node, "adaptive_avg_pool2d"), "avgpool", [src(node, args[0])])
            else:
                fail("node %s: function %s is not supported" % (node.name, getattr(fn, "__name__", fn)))
        elif node.op == "call_method":
            if node.target in ("flatten", "view", "reshape", "squeeze", "contiguous"):
                alias(node, node.args[0])
            elif node.target == "mean":
                dims = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim")
                if tuple(dims) not in ((2, 3), (-2, -1), [2, 3]):
                    fail("node %s: mean over %s; only the spatial mean is supported" % (node.name, dims))
                emit(node, functional_name(node, "mean"), "avgpool", [src(node, node.args[0])])
            elif node.target in ("relu", "relu_"):
                emit(node, functional_name(node, "relu"), "relu", [src(node, node.args[0])])
            elif node.target in ("add", "add_"):
                emit(node, functional_name(node, "add"), "add", [src(node, node.args[0]), src(node, node.args[1])])
            else:
                fail("node %s: tensor method %s is not supported" % (node.name, node.target))
        elif node.op == "output":
            out = node.args[0]
            if isinstance(out, (tuple, list)):
                if len(out) != 1:
                    fail("the model returns %d outputs; eoqsim trains one" % len(out))
                out = out[0]
            layers.append({"name": unique("loss"), "type": "loss", "inputs": [src(node, out)]})
    if dropouts:
        notes.append("%d dropout layer(s) not modelled (their per-element mask is left out)" % dropouts)
    form = "bn" if any(l["type"] == "batchnorm" for l in layers) else "plain"
    return {"schema": "eoqsim.network/1", "name": name, "form": form, "input": list(input_shape),
            "notes": ["exported from PyTorch with workloads/export_torch.py"] + notes, "layers": layers}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="torchvision model name or package.module:callable")
    p.add_argument("--input", default="3,224,224", help="per-sample input shape C,H,W (default 3,224,224)")
    p.add_argument("--name", help="network name (default: the model name)")
    p.add_argument("-o", "--output", required=True, help="network JSON file to write")
    a = p.parse_args()
    try:
        shape = [int(v) for v in a.input.split(",")]
    except ValueError:
        fail("--input %r: expected C,H,W as integers" % a.input)
    if len(shape) not in (1, 3) or any(v < 1 for v in shape):
        fail("--input %r: expected C,H,W (or F for a feature vector), all positive" % a.input)
    name = a.name or a.model.split(":")[-1].split(".")[-1]
    torch.manual_seed(0)
    net = export(build_model(a.model), shape if len(shape) == 3 else [shape[0], 1, 1], name, shape)
    text = json.dumps(net, indent=1) + "\n"
    out_dir = os.path.dirname(os.path.abspath(a.output))
    os.makedirs(out_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".export_torch.")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, a.output)
    print("wrote %s: %d layers" % (a.output, len(net["layers"])))


if __name__ == "__main__":
    main()
