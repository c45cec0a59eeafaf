package dev.loraflow.core.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraflow.core.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;

/** A model split over several safetensors files, joined by {@code model.safetensors.index.json}. */
public final class ShardedWeights implements WeightSource {
    private final Path index;
    private final List<SafetensorsFile> shards;
    private final Map<String, Tensor> tensors;

    private ShardedWeights(Path index, List<SafetensorsFile> shards, Map<String, Tensor> tensors) {
        this.index = index;
        this.shards = shards;
        this.tensors = tensors;
    }

    /** Opens the shards {@link Residency#MAPPED}. */
    public static ShardedWeights open(Path index) {
        return open(index, Residency.MAPPED, bytes -> { });
    }

    /** Opens the shards as {@code residency} says, reporting the bytes read into memory to {@code progress}. */
    public static ShardedWeights open(Path index, Residency residency, LongConsumer progress) {
        JsonNode weightMap = readWeightMap(index);
        Map<String, SafetensorsFile> byFile = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new SafetensorsException(index + ": weight_map entry '" + e.getKey() + "' must name a shard file");
                }
                String shardName = e.getValue().textValue();
                if (shardName.isEmpty() || shardName.contains("/") || shardName.contains("\\") || shardName.startsWith(".")) {
                    throw new SafetensorsException(index + ": shard '" + shardName + "' must be a plain file name beside the index");
                }
                Path shardPath = index.resolveSibling(shardName);
                SafetensorsFile shard = byFile.get(shardName);
                if (shard == null) {
                    if (!Files.isRegularFile(shardPath)) {
                        throw new SafetensorsException(index + ": shard file " + shardPath + " (for tensor '"
                                + e.getKey() + "') is missing; download every shard listed in the index");
                    }
                    shard = SafetensorsFile.open(shardPath, residency, progress);
                    byFile.put(shardName, shard);
                }
                Tensor t = shard.find(e.getKey()).orElseThrow(() -> new SafetensorsException(
                        index + ": tensor '" + e.getKey() + "' is listed in the index but absent from " + shardPath));
                tensors.put(e.getKey(), t);
            }
        } catch (RuntimeException | Error e) { // shards already read into memory are freed on any failure
            byFile.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new ShardedWeights(index, new ArrayList<>(byFile.values()), tensors);
    }

    private static JsonNode readWeightMap(Path index) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(index));
        } catch (IOException e) {
            throw new SafetensorsException(index + ": cannot read sharded index: " + e.getMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new SafetensorsException(index + ": missing 'weight_map' object (tensor name -> shard file)");
        }
        return weightMap;
    }

    @Override
    public Optional<Tensor> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public String describe() {
        return index.toString();
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }
}
