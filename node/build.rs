//! Links the addon against the Node-API symbols the running node provides.

fn main() {
    napi_build::setup();
}
