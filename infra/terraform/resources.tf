# The one list of Balcão's AWS resources, shared with the code and the local stack
# (chalicelib/resources.json). Names are "<resource_prefix>-<key>".
locals {
  resources = jsondecode(file("${path.module}/../../chalicelib/resources.json"))
}
