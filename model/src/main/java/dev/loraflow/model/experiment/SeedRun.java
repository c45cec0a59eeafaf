package dev.loraflow.model.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraflow.core.io.AtomicFiles;
import dev.loraflow.model.LanguageModel;
import dev.loraflow.model.data.Dataset;
import dev.loraflow.model.data.ExampleEncoder;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.LoraFlowGate;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The whole experiment for one seed, every stage from that seed: corpora, tokenizer, pretrained base model,
 * language and task adapters, LoRA-Flow and learned-static gates, LoRA-Hub weights, and the test scores.
 * With a pretrained base model, the tokenizer and pretraining are skipped and that model is used as is.
 * Artefacts land in {@code dir}: data/, base/ (a base trained here), adapters/{lang,task}/, gates/, lora-hub.json, scores.json,
 * problem.json (the first test problem in both languages).
 */
final class SeedRun {
    private final ReproduceConfig config;
    private final BaseModel base;
    private final int threads;
    private final ExperimentLog log;

    SeedRun(ReproduceConfig config, BaseModel base, int threads, ExperimentLog log) {
        this.config = config;
        this.base = base;
        this.threads = threads;
        this.log = log;
    }

    /** Where one seed's artefacts are. */
    record Layout(Path dir) {
        Path data() { return dir.resolve("data"); }
        Path init() { return dir.resolve("init"); }
        Path base() { return dir.resolve("base"); }
        Path adapter(String name) { return dir.resolve("adapters").resolve(name); }
        Path gate(String name) { return dir.resolve("gates").resolve(name + ".safetensors"); }
        Path loraHub() { return dir.resolve("lora-hub.json"); }
        Path scores() { return dir.resolve("scores.json"); }
        Path demoProblem() { return dir.resolve("problem.json"); }
    }

    List<MethodScore> run(long seed, Path dir) {
        Layout at = new Layout(dir);
        log.line("seed " + seed + ": generating corpora");
        SyntheticCorpora corpora = SyntheticCorpora.generate(seed, config.sizes(), base.words());
        SyntheticCorpora.DataFiles data = corpora.write(at.data());
        writeProblem(at.demoProblem(), corpora.targetTest().get(0));
        Path baseDir = switch (base) {
            case BaseModel.TrainedHere here -> pretrainHere(seed, corpora, data, at);
            case BaseModel.Pretrained pretrained -> pretrained.dir();
        };
        String baseName = base instanceof BaseModel.Pretrained p ? p.name() : "miniature-base";
        try (LanguageModel lm = LanguageModel.open(baseDir, threads)) {
            // examples (prompt + answer, or a paragraph) must fit the model's positions; they are far shorter
            ExampleEncoder encoder = ExampleEncoder.forModel(lm, Math.min(config.maxLength(), lm.config().maxPositionEmbeddings()));
            SkillTraining.adapter(lm, baseName, Dataset.load(data.madeUpText(), encoder), config, seed + 1,
                    at.adapter(MethodEvaluation.LANGUAGE), log);
            SkillTraining.adapter(lm, baseName, Dataset.load(data.taskTrain(), encoder), config, seed + 2,
                    at.adapter(MethodEvaluation.TASK), log);
            List<LoraAdapter> loaded = List.of(
                    LoraAdapter.load(MethodEvaluation.LANGUAGE, at.adapter(MethodEvaluation.LANGUAGE), lm.config()),
                    LoraAdapter.load(MethodEvaluation.TASK, at.adapter(MethodEvaluation.TASK), lm.config()));
            AdapterStack adapters = AdapterStack.of(loaded, lm.config());
            Dataset train = Dataset.load(data.targetTrain(), encoder);
            Dataset dev = Dataset.load(data.targetDev(), encoder);
            var gateSettings = ReproduceConfig.reseeded(config.gate(), seed + 3);
            LoraFlowGate learnedStatic = SkillTraining.gate(lm, adapters, train, dev, gateSettings, true, log);
            LoraFlowGate loraFlow = SkillTraining.gate(lm, adapters, train, dev, gateSettings, false, log);
            learnedStatic.save(at.gate("static"));
            loraFlow.save(at.gate("loraflow"));
            MethodEvaluation evaluation = new MethodEvaluation(lm, adapters);
            float[] hub = evaluation.searchLoraHub(train.examples().subList(0, config.hubExamples()), config.hubBudget(), log);
            writeWeights(at.loraHub(), adapters.names(), hub);
            Map<FusionMethod, Fusion> fusions = evaluation.fusions(learnedStatic, loraFlow, hub);
            log.line("seed " + seed + ": testing 7 methods on " + config.sizes().targetTest() + " target problems");
            List<MethodScore> scores = evaluation.score(fusions, Dataset.load(data.targetTest(), encoder), config.maxTokens(), log);
            writeScores(at.scores(), seed, scores);
            return scores;
        }
    }

    /** The miniature's tokenizer (BPE on base-language text) and base model (pretrained on that text), in base/. */
    private Path pretrainHere(long seed, SyntheticCorpora corpora, SyntheticCorpora.DataFiles data, Layout at) {
        log.line("seed " + seed + ": training the tokenizer");
        int vocab = TokenizerFiles.write(BpeTrainer.train(corpora.baseLanguageText(), config.merges()), at.base());
        log.line("seed " + seed + ": vocabulary " + vocab + " tokens; pretraining the base model on base-language text");
        BasePretraining.run(config, vocab, at.base(), data.baseText(), seed, threads, at.init(), at.base(), log);
        return at.base();
    }

    /** {"lang": w, "task": w}: the file eval --weights reads. */
    private static void writeWeights(Path file, List<String> names, float[] w) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        for (int i = 0; i < w.length; i++) {
            root.put(names.get(i), w[i]);
        }
        AtomicFiles.writeString(file, root.toPrettyString() + "\n");
    }

    /** A test problem in both languages, for the demo. */
    private static void writeProblem(Path file, WordProblem p) {
        ObjectNode root = new ObjectMapper().createObjectNode().put("prompt", p.prompt().madeUp())
                .put("response", p.response().madeUp()).put("base", p.prompt().base() + " " + p.response().base());
        AtomicFiles.writeString(file, root.toPrettyString() + "\n");
    }

    private static void writeScores(Path file, long seed, List<MethodScore> scores) {
        ObjectNode root = new ObjectMapper().createObjectNode().put("seed", seed);
        ObjectNode methods = root.putObject("methods");
        for (MethodScore s : scores) {
            methods.putObject(s.method().label()).put("accuracy", s.accuracy()).put("loss", s.loss());
        }
        AtomicFiles.writeString(file, root.toPrettyString() + "\n");
    }
}
