// Functional training: the trace of one training step runs with values (models/functional) step
// after step on minibatches of a dataset, and an inference trace of the same network measures
// test accuracy. The trainer only moves data between steps: parameters and optimizer state stay
// in the executor's persistent tensors; every value is computed by the units' kernels.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/functional/kernels.h"
#include "sim/train/dataset.h"
#include "workloads/trace.h"

namespace eoqsim {

struct TrainOptions {
  int64_t steps = 1000;
  int64_t eval_every = 100;  // test accuracy after every this many steps (and after the last)
  uint64_t seed = 1;
  int accumulator_bits = 32;  // the chip's PE accumulator
  functional::Hyper hyper;
};

struct TrainPoint {
  int64_t step = 0;
  double loss = 0;
  double test_accuracy = -1;  // < 0: not measured at this step
};

struct TrainResult {
  std::vector<TrainPoint> curve;
  int64_t evaluations = 0;
  double final_accuracy = 0;
  uint64_t accumulator_saturations = 0;  // MAC adds clamped at the accumulator width
  uint64_t storage_saturations = 0;      // values clamped to a tensor's integer width
  // Parameters and optimizer state after the last step, by tensor name, in trace order.
  std::vector<std::pair<std::string, std::vector<double>>> parameters;
};

// `step` is a training trace (Mode::Train) at the training batch; `eval` an inference trace of
// the same network and scheme whose batch is the test split's size. Throws UnsupportedError when
// the traces hold ops functional mode does not model, InputError when the network does not fit
// the data (64 inputs, as many outputs as classes).
TrainResult train(const Trace& step, const Trace& eval, const Dataset& data, const TrainOptions& opt);

}  // namespace eoqsim
