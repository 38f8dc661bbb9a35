/**
 * The library's public surface: open a {@link io.edgecl.api.Session} with
 * {@link io.edgecl.api.SessionOptions}, run NCHW float inputs, read a {@link io.edgecl.api.Result}.
 *
 * <p><b>Ownership.</b> {@link io.edgecl.api.Session} and {@link io.edgecl.api.Device} are
 * {@link java.lang.AutoCloseable} and own their native resources (OpenCL context, queue,
 * programs, buffers). A session closes the device it opened itself; a device passed in with
 * {@link io.edgecl.api.SessionOptions#withDevice(io.edgecl.api.Device)} stays the caller's, and
 * closing it closes every session on it first. Results are plain host memory.
 *
 * <p><b>Threads.</b> A session may be shared by any number of threads; its calls are serialised
 * (one forward already occupies the whole device). For throughput across devices, open a
 * session per device ({@link io.edgecl.api.Device#openAll}).
 *
 * <p><b>Errors.</b> Bad input (files, shapes, configurations) raises
 * {@link io.edgecl.EdgeClException} subclasses with a message naming what is wrong; use after
 * close raises {@link java.lang.IllegalStateException}; nothing aborts the process.
 *
 * <p>Everything outside this package (graphs, plans, kernels) is the engine's and may change;
 * {@link io.edgecl.graph.FusionRule} is the one engine type the options name.
 */
package io.edgecl.api;
