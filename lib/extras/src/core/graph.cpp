#include "klgrad/graph.hpp"

#include <cmath>
#include <cstdio>
#include <vector>

#include "klgrad/io/atomic_file.hpp"

namespace klgrad {

namespace {

template <class T>
std::string grad_label(const Node<T>& n) {
  if (!n.has_grad_ref()) return "";
  const Array<T>& g = n.grad_ref();
  double s = 0;
  for (const T& v : g) s += static_cast<double>(v) * static_cast<double>(v);
  char b[96];
  std::snprintf(b, sizeof b, "\\ngrad %s |g| = %.4g", shape_str(g.shape()).c_str(), std::sqrt(s));
  return b;
}

}  // namespace

template <class T>
std::string to_dot(const Tensor<T>& root, const DotOptions& options) {
  Tape<T>& tape = root.tape();
  root.node();  // checks that the handle is alive
  // Nodes reachable from the root, found with an explicit stack (no recursion).
  std::vector<bool> seen(tape.size(), false);
  std::vector<std::uint32_t> stack{root.id()};
  seen[root.id()] = true;
  while (!stack.empty()) {
    const Node<T>& n = tape.node(stack.back());
    stack.pop_back();
    for (int k = 0; k < n.n_in; ++k) {
      const std::uint32_t j = n.in[static_cast<std::size_t>(k)];
      if (!seen[j]) seen[j] = true, stack.push_back(j);
    }
  }
  std::string dot = "digraph klgrad {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=11];\n";
  for (std::uint32_t i = 0; i < tape.size(); ++i) {
    if (!seen[i]) continue;
    const Node<T>& n = tape.node(i);
    std::string label, style;
    if (n.op) {
      label = std::string(n.name()) + "\\n" + shape_str(n.val().shape());
      style = "shape=box, style=\"rounded,filled\", fillcolor=\"#dbe8f7\"";
    } else if (n.param) {
      label = "parameter " + (n.param->name.empty() ? std::string("#") + std::to_string(i) : n.param->name) + "\\n" +
              shape_str(n.val().shape());
      style = "shape=ellipse, style=filled, fillcolor=\"#c9f0c9\"";
    } else {
      label = std::string(n.requires_grad ? "variable" : "constant") + "\\n" + shape_str(n.val().shape());
      style = std::string("shape=ellipse, style=filled, fillcolor=\"") + (n.requires_grad ? "#fff2b3" : "#e6e6e6") + "\"";
    }
    if (options.show_grads) label += grad_label(n);
    dot += "  n" + std::to_string(i) + " [label=\"" + label + "\", " + style + "];\n";
    for (int k = 0; k < n.n_in; ++k)
      dot += "  n" + std::to_string(n.in[static_cast<std::size_t>(k)]) + " -> n" + std::to_string(i) + ";\n";
  }
  return dot + "}\n";
}

template <class T>
void write_dot(const Tensor<T>& root, const std::string& path, const DotOptions& options) {
  const std::string dot = to_dot(root, options);
  write_file_atomic(path, std::vector<std::uint8_t>(dot.begin(), dot.end()), "dot");
}

template std::string to_dot(const Tensor<float>&, const DotOptions&);
template std::string to_dot(const Tensor<double>&, const DotOptions&);
template void write_dot(const Tensor<float>&, const std::string&, const DotOptions&);
template void write_dot(const Tensor<double>&, const std::string&, const DotOptions&);

}  // namespace klgrad
