package dev.loraflow.model.llama;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.kernels.Attention;
import dev.loraflow.kernels.MatMul;
import dev.loraflow.kernels.RangeTask;
import dev.loraflow.kernels.Rope;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.kernels.VectorMath;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.Projection;
import dev.loraflow.model.lora.StackedLora;
import dev.loraflow.model.lora.WeightTrace;

/**
 * One running sequence: the KV cache, the position and the scratch buffers of the forward pass.
 * Feeding n tokens at once (prefill) runs each projection as one matrix-matrix product (for a prompt, Q, K and V
 * as one product over the three, and the MLP as one fused pass when no adapter touches it); feeding one (decode)
 * runs matrix-vector products. Buffers are kept between calls, so steady-state decode does
 * not allocate. With a {@link Fusion}, every projection adds its adapters' outputs weighted per token
 * (LoRA-Flow): each layer's weights are computed from that layer's residual input, for the new tokens only,
 * so cached keys and values keep the fused contributions of their own tokens.
 * Not thread-safe: one session serves one sequence.
 */
public final class InferenceSession {
    /** Prompt tokens are processed in chunks of at most this many rows, which bounds scratch memory. */
    static final int MAX_CHUNK = 256;

    private final LlamaModel model;
    private final LlamaConfig config;
    private final ThreadPool pool;
    private final KVCache cache;
    private final RopeTable rope;
    private final float attentionScale;
    private final float[] lastLogits;
    private float[] allLogitsBuffer;
    private final Fusion fusion;
    private WeightTrace trace;
    private int position;
    private int layer; // the layer the per-token steps below work on
    private Scratch scratch; // grown to the largest chunk fed so far

    /** A session on the base model alone. */
    public InferenceSession(LlamaModel model, int contextLength, ThreadPool pool) {
        this(model, contextLength, pool, Fusion.none(model.config()));
    }

    /** A session whose projections add the fused adapters. */
    public InferenceSession(LlamaModel model, int contextLength, ThreadPool pool, Fusion fusion) {
        this.model = model;
        this.fusion = fusion;
        this.config = model.config();
        if (contextLength < 1) {
            throw new LoraflowException("context length must be at least 1, got " + contextLength);
        }
        this.pool = pool;
        this.cache = new KVCache(config.numLayers(), contextLength, config.kvDim());
        this.rope = new RopeTable(config, contextLength);
        this.attentionScale = (float) (1.0 / Math.sqrt(config.headDim()));
        this.lastLogits = new float[config.vocabSize()];
    }

    public LlamaModel model() {
        return model;
    }

    public int position() {
        return position;
    }

    public int capacity() {
        return cache.capacity();
    }

    public KVCache cache() {
        return cache;
    }

    public Fusion fusion() {
        return fusion;
    }

    /** Records the fusion weights of every token fed from now on (null stops recording). */
    public void trace(WeightTrace trace) {
        this.trace = trace;
    }

    /** Forgets the sequence; the next token is at position 0. */
    public void reset() {
        position = 0;
    }

    /**
     * Feeds tokens[off..off+n) and returns the logits after the last one ({@code vocab} floats).
     * The returned array is reused by the next call.
     */
    public float[] forward(int[] tokens, int off, int n) {
        checkRoom(n);
        float[] last = null;
        for (int done = 0; done < n; ) {
            int chunk = Math.min(MAX_CHUNK, n - done);
            last = runChunk(tokens, off + done, chunk, false);
            done += chunk;
        }
        return last;
    }

    /** Feeds the tokens and returns the logits after each of them: [n][vocab], a new array. */
    public float[] forwardAll(int[] tokens) {
        checkRoom(tokens.length);
        int vocab = config.vocabSize();
        float[] all = new float[tokens.length * vocab];
        for (int done = 0; done < tokens.length; ) {
            int chunk = Math.min(MAX_CHUNK, tokens.length - done);
            float[] logits = runChunk(tokens, done, chunk, true);
            System.arraycopy(logits, 0, all, done * vocab, chunk * vocab);
            done += chunk;
        }
        return all;
    }

    private void checkRoom(int n) {
        if (n < 1) {
            throw new LoraflowException("no tokens to feed");
        }
        if (position + n > cache.capacity()) {
            throw new LoraflowException("context full: " + position + " tokens held, " + n + " more do not fit in "
                    + cache.capacity() + "; ask for a larger context length");
        }
    }

    private float[] runChunk(int[] tokens, int off, int n, boolean allLogits) {
        Scratch s = scratch(n);
        int d = config.hiddenSize();
        for (int t = 0; t < n; t++) {
            TokenEmbedding.lookup(model.embedTokens(), tokens[off + t], s.x, t * d);
        }
        for (int l = 0; l < config.numLayers(); l++) {
            layer(l, n, s);
        }
        int rows = allLogits ? n : 1;
        int first = n - rows;
        for (int t = 0; t < rows; t++) {
            VectorMath.rmsNorm(s.x, (first + t) * d, model.finalNorm(), (float) config.rmsNormEps(), s.xn, t * d, d);
        }
        float[] logits = rows == 1 ? lastLogits : allLogits(rows);
        model.lmHead().forward(s.xn, 0, logits, 0, rows, pool);
        position += n;
        return logits;
    }

    private void layer(int l, int n, Scratch s) {
        LayerWeights w = model.layers().get(l);
        fusionWeights(l, n, s);
        layer = l;
        pool.parallelFor(n, inputNorm);
        queriesKeysValues(l, w, n, s);
        pool.parallelFor(n, ropeIntoCache);
        Attention.causal(s.q, 0, cache.keys(l), cache.values(l), s.attn, 0, position, n,
                config.numHeads(), config.numKvHeads(), config.headDim(), attentionScale, pool);
        project(l, Projection.O, w.o(), s.attn, s.tmp, n, s);
        pool.parallelFor(n, addToResidual);
        pool.parallelFor(n, postAttentionNorm);
        mlp(l, w, n, s);
        pool.parallelFor(n, addToResidual);
    }

    /** The layer's MLP from xn into tmp: one fused pass for a prompt when no adapter touches it. */
    private void mlp(int l, LayerWeights w, int n, Scratch s) {
        AdapterStack adapters = fusion.adapters();
        boolean adapted = adapters.get(l, Projection.GATE) != null || adapters.get(l, Projection.UP) != null
                || adapters.get(l, Projection.DOWN) != null;
        if (!adapted && Linear.swiGlu(w.gate(), w.up(), w.down(), s.xn, s.tmp, n, pool)) {
            return;
        }
        project(l, Projection.GATE, w.gate(), s.xn, s.gate, n, s);
        project(l, Projection.UP, w.up(), s.xn, s.up, n, s);
        pool.parallelFor(n, siluMul);
        project(l, Projection.DOWN, w.down(), s.gate, s.tmp, n, s);
    }

    // The per-token steps of layer `layer` on rows [t0, t1) of the scratch, run over the pool (inline for one token).
    // Fields rather than lambdas made per call, which would allocate on every decoded token.
    private final RangeTask inputNorm = this::inputNorm;
    private final RangeTask postAttentionNorm = this::postAttentionNorm;
    private final RangeTask ropeIntoCache = this::ropeIntoCache;
    private final RangeTask addToResidual = this::addToResidual;
    private final RangeTask siluMul = this::siluMul;

    private void inputNorm(int t0, int t1) {
        normRows(model.layers().get(layer).inputNorm(), t0, t1);
    }

    private void postAttentionNorm(int t0, int t1) {
        normRows(model.layers().get(layer).postAttentionNorm(), t0, t1);
    }

    /** x += tmp (a sublayer's output joins the residual stream). */
    private void addToResidual(int t0, int t1) {
        int d = config.hiddenSize();
        VectorMath.addInPlace(scratch.x, t0 * d, scratch.tmp, t0 * d, (t1 - t0) * d);
    }

    private void siluMul(int t0, int t1) {
        int inter = config.intermediateSize();
        VectorMath.siluMul(scratch.gate, t0 * inter, scratch.up, t0 * inter, scratch.gate, t0 * inter, (t1 - t0) * inter);
    }

    private void normRows(float[] weight, int t0, int t1) {
        int d = config.hiddenSize();
        for (int t = t0; t < t1; t++) {
            VectorMath.rmsNorm(scratch.x, t * d, weight, (float) config.rmsNormEps(), scratch.xn, t * d, d);
        }
    }

    /** Rotates the rows' queries and keys to their positions and appends their keys and values to the cache. */
    private void ropeIntoCache(int t0, int t1) {
        int qDim = config.qDim(), kvDim = config.kvDim();
        float[] keys = cache.keys(layer), values = cache.values(layer);
        for (int t = t0; t < t1; t++) {
            int pos = position + t;
            Rope.rotate(scratch.q, t * qDim, config.numHeads(), config.headDim(), rope.cos(), rope.sin(), rope.offset(pos));
            Rope.rotate(scratch.k, t * kvDim, config.numKvHeads(), config.headDim(), rope.cos(), rope.sin(), rope.offset(pos));
            System.arraycopy(scratch.k, t * kvDim, keys, pos * kvDim, kvDim);
            System.arraycopy(scratch.v, t * kvDim, values, pos * kvDim, kvDim);
        }
    }

    /** Layer l's per-token adapter weights, from the residual input before the layer's first norm. */
    private void fusionWeights(int l, int n, Scratch s) {
        int k = fusion.adapters().size();
        if (k == 0) {
            return;
        }
        fusion.policy().weights(l, s.x, n, config.hiddenSize(), s.coefficients);
        if (trace != null) {
            trace.record(l, s.coefficients, n, k);
        }
    }

    /** Q, K and V from xn: one pass over the three for a prompt. */
    private void queriesKeysValues(int l, LayerWeights w, int n, Scratch s) {
        if (MatMul.fusesPrompt(n)
                && Linear.sameInput(new Linear[] {w.q(), w.k(), w.v()}, s.xn, new float[][] {s.q, s.k, s.v}, n, pool)) {
            addAdapters(l, Projection.Q, s.xn, s.q, n, s);
            addAdapters(l, Projection.K, s.xn, s.k, n, s);
            addAdapters(l, Projection.V, s.xn, s.v, n, s);
            return;
        }
        project(l, Projection.Q, w.q(), s.xn, s.q, n, s);
        project(l, Projection.K, w.k(), s.xn, s.k, n, s);
        project(l, Projection.V, w.v(), s.xn, s.v, n, s);
    }

    /** y = W x (+ b) + Σ_i c_i(t) s_i B_i A_i x over the adapters that touch this projection. */
    private void project(int l, Projection p, Linear base, float[] x, float[] y, int n, Scratch s) {
        base.forward(x, 0, y, 0, n, pool);
        addAdapters(l, p, x, y, n, s);
    }

    /** y += Σ_i c_i(t) s_i B_i A_i x over the adapters that touch this projection. */
    private void addAdapters(int l, Projection p, float[] x, float[] y, int n, Scratch s) {
        StackedLora lora = fusion.adapters().get(l, p);
        if (lora != null) {
            lora.addTo(x, 0, y, 0, n, s.coefficients, s.loraRank, s.loraOut, pool);
        }
    }

    /** Every row's logits, kept only once forwardAll asks (a chunk of a 128k vocabulary is 128 MB). */
    private float[] allLogits(int rows) {
        int size = rows * config.vocabSize();
        if (allLogitsBuffer == null || allLogitsBuffer.length < size) {
            allLogitsBuffer = new float[size];
        }
        return allLogitsBuffer;
    }

    private Scratch scratch(int n) {
        if (scratch == null || scratch.rows < n) {
            scratch = new Scratch(n, config, fusion.adapters());
        }
        return scratch;
    }

    /** Activation buffers for up to {@code rows} tokens. */
    private static final class Scratch {
        final int rows;
        final float[] x, xn, q, k, v, attn, tmp, gate, up, coefficients, loraRank, loraOut;

        Scratch(int rows, LlamaConfig c, AdapterStack adapters) {
            this.rows = rows;
            int d = c.hiddenSize();
            x = new float[rows * d];
            xn = new float[rows * d];
            tmp = new float[rows * d];
            q = new float[rows * c.qDim()];
            attn = new float[q.length];
            k = new float[rows * c.kvDim()];
            v = new float[k.length];
            gate = new float[rows * c.intermediateSize()];
            up = new float[gate.length];
            int adapterCount = adapters.size();
            coefficients = new float[rows * adapterCount];
            loraRank = new float[adapterCount == 0 ? 0 : rows * adapters.maxTotalRank()];
            loraOut = new float[adapterCount == 0 ? 0 : rows * Math.max(d, Math.max(c.qDim(), c.intermediateSize()))];
        }
    }
}
