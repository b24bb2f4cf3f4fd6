use criterion::{criterion_group, criterion_main, measurement::WallTime, Bencher, Criterion};
use graphql_tools::parser::query::Document;
use hive_router::query_planner::ast::minification::minify_operation;
use hive_router::query_planner::ast::normalization::normalize_operation;
use hive_router::query_planner::ast::operation::OperationDefinition;
use hive_router::query_planner::graph::Graph;
use hive_router::query_planner::graph::PlannerOverrideContext;
use hive_router::query_planner::planner::best::find_best_combination;
use hive_router::query_planner::planner::fetch::fetch_graph::build_fetch_graph_from_query_tree;
use hive_router::query_planner::planner::query_plan::build_query_plan_from_fetch_graph;
use hive_router::query_planner::planner::walker::walk_operation;
use hive_router::query_planner::planner::QueryPlannerOptions;
use hive_router::query_planner::state::supergraph_state::SupergraphState;
use hive_router::query_planner::utils::cancellation::CancellationToken;
use hive_router::query_planner::utils::parsing::{parse_operation, parse_schema};
use std::hint::black_box;
use std::time::Duration;

fn get_operation(operation_path: &str) -> Document<'static, String> {
    let document_text = std::fs::read_to_string(operation_path).expect("Unable to read input file");
    parse_operation(&document_text)
}

fn get_executable_operation(
    parsed_document: &Document<'static, String>,
    supergraph_state: &SupergraphState,
    operation_name: Option<&str>,
) -> OperationDefinition {
    normalize_operation(supergraph_state, parsed_document, operation_name)
        .unwrap()
        .operation
}

fn bench_query_plan(
    c: &mut Criterion,
    name: &str,
    graph: &Graph,
    supergraph_state: &SupergraphState,
    operation: &OperationDefinition,
) {
    let override_context = PlannerOverrideContext::default();
    let cancellation_token = CancellationToken::new();

    let mut benchmark = |b: &mut Bencher<'_, WallTime>| {
        b.iter(|| {
            let bb_graph = black_box(graph);
            let bb_operation = black_box(operation);
            let bb_supergraph_state = black_box(supergraph_state);
            let bb_override_context = black_box(&override_context);

            let best_paths_per_leaf = walk_operation(
                bb_graph,
                bb_supergraph_state,
                bb_override_context,
                bb_operation,
                &cancellation_token,
            )
            .expect("walk_operation failed during benchmark");
            let query_tree =
                find_best_combination(bb_graph, best_paths_per_leaf, &cancellation_token).unwrap();
            let fetch_graph = build_fetch_graph_from_query_tree(
                bb_graph,
                bb_supergraph_state,
                bb_override_context,
                query_tree,
                bb_operation,
                &QueryPlannerOptions::default(),
                &cancellation_token,
            )
            .unwrap();
            let query_plan = build_query_plan_from_fetch_graph(
                fetch_graph,
                bb_supergraph_state,
                &QueryPlannerOptions::default(),
                &cancellation_token,
            )
            .unwrap();
            black_box(query_plan);
        })
    };

    if matches!(
        name,
        "query_plan_wfg_mutation_1" | "query_plan_wfg_query_1" | "query_plan_wfg_query_2"
    ) {
        let mut group = c.benchmark_group(name);
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(5));
        group.bench_function("plan", &mut benchmark);
        group.finish();
    } else {
        c.bench_function(name, &mut benchmark);
    }
}

fn query_plan_pipeline(c: &mut Criterion) {
    let supergraph_sdl = std::fs::read_to_string("../../bench/supergraph.graphql")
        .expect("Unable to read input file");
    let parsed_schema = parse_schema(&supergraph_sdl);
    let supergraph_state = SupergraphState::new(&parsed_schema);
    let graph =
        Graph::graph_from_supergraph_state(&supergraph_state).expect("failed to create graph");

    let parsed_document = get_operation("../../bench/operation.graphql");
    let operation =
        get_executable_operation(&parsed_document, &supergraph_state, Some("TestQuery"));
    bench_query_plan(c, "query_plan", &graph, &supergraph_state, &operation);

    for (benchmark_name, schema_path, operation_path, operation_name) in [
        (
            "query_plan_grafbase_many_plans",
            "./fixture/grafbase-many-plans/supergraph.graphql",
            "./fixture/grafbase-many-plans/operation.graphql",
            Some("ManyPlansQuery"),
        ),
        (
            "query_plan_abstract_many_subgraphs",
            "./fixture/abstract-many-subgraphs/supergraph.graphql",
            "./fixture/abstract-many-subgraphs/operation.graphql",
            Some("AbstractManySubgraphsBench"),
        ),
        (
            "query_plan_heavy_query",
            "./fixture/heavy-query/supergraph.graphql",
            "./fixture/heavy-query/operation.graphql",
            Some("TvpVod"),
        ),
        (
            "query_plan_bfg_operation_1",
            "./fixture/bfg/supergraph.graphql",
            "./fixture/bfg/operation-1.graphql",
            Some("Query1"),
        ),
        (
            "query_plan_bfg_operation_2",
            "./fixture/bfg/supergraph.graphql",
            "./fixture/bfg/operation-2.graphql",
            Some("Query2"),
        ),
        (
            "query_plan_wfg_mutation_1",
            "./fixture/wfg/supergraph.graphql",
            "./fixture/wfg/mutation-1.graphql",
            Some("Mutation1"),
        ),
        (
            "query_plan_wfg_query_1",
            "./fixture/wfg/supergraph.graphql",
            "./fixture/wfg/query-1.graphql",
            Some("Query1"),
        ),
        (
            "query_plan_wfg_query_2",
            "./fixture/wfg/supergraph.graphql",
            "./fixture/wfg/query-2.graphql",
            Some("Query2"),
        ),
    ] {
        let supergraph_sdl =
            std::fs::read_to_string(schema_path).expect("Unable to read supergraph fixture");
        let parsed_schema = parse_schema(&supergraph_sdl);
        let fixture_supergraph = SupergraphState::new(&parsed_schema);
        let fixture_graph = Graph::graph_from_supergraph_state(&fixture_supergraph)
            .expect("failed to create graph");
        let fixture_document = get_operation(operation_path);
        let fixture_operation =
            get_executable_operation(&fixture_document, &fixture_supergraph, operation_name);

        bench_query_plan(
            c,
            benchmark_name,
            &fixture_graph,
            &fixture_supergraph,
            &fixture_operation,
        );
    }

    c.bench_function("normalization", |b| {
        b.iter(|| {
            let op = get_executable_operation(
                black_box(&parsed_document),
                black_box(&supergraph_state),
                black_box(Some("TestQuery")),
            );
            black_box(op);
        })
    });

    c.bench_function("minification", |b| {
        b.iter_batched(
            || operation.clone(),
            |cloned_operation| {
                let bb_supergraph_state = black_box(&supergraph_state);
                let bb_operation = black_box(cloned_operation);
                let op = minify_operation(bb_operation, bb_supergraph_state).unwrap();
                black_box(op);
            },
            criterion::BatchSize::SmallInput,
        )
    });
}

fn cache_preparation(c: &mut Criterion) {
    use hive_router::query_planner::planner::Planner;
    let mut group = c.benchmark_group("cache_preparation");
    for (name, schema_path, operation_path) in [
        (
            "bench",
            "../../bench/supergraph.graphql",
            "../../bench/operation.graphql",
        ),
        (
            "many_plans",
            "./fixture/grafbase-many-plans/supergraph.graphql",
            "./fixture/grafbase-many-plans/operation.graphql",
        ),
    ] {
        let schema = parse_schema(&std::fs::read_to_string(schema_path).unwrap());
        let planner =
            Planner::new_from_supergraph(&schema, QueryPlannerOptions::default()).unwrap();
        let document = get_operation(operation_path);
        let operation = get_executable_operation(&document, &planner.supergraph, None);
        let plan = planner
            .plan_from_normalized_operation(
                &operation,
                PlannerOverrideContext::default(),
                &CancellationToken::new(),
            )
            .unwrap();
        // Planning and cloning are setup. Only consuming the plan is measured.
        group.bench_function(name, |b| {
            b.iter_batched(
                || plan.clone(),
                |plan| black_box(plan.into_executable()),
                criterion::BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

/// `@provides` under one union member, with fields from both members and a `@requires` that
/// reads the provided field.
fn provides_planning(c: &mut Criterion) {
    let schema = parse_schema(
        &std::fs::read_to_string("./fixture/tests/provides-union-member.supergraph.graphql")
            .unwrap(),
    );
    let supergraph_state = SupergraphState::new(&schema);
    let graph = Graph::graph_from_supergraph_state(&supergraph_state).unwrap();
    let document = parse_operation(
        "{ user { orders { label item { ... on Book { isbn stock } ... on Movie { title } } } } }",
    );
    let operation = get_executable_operation(&document, &supergraph_state, None);
    let override_context = PlannerOverrideContext::default();
    let cancellation_token = CancellationToken::new();

    c.bench_function("query_plan_provides_union", |b| {
        b.iter(|| {
            let best_paths_per_leaf = walk_operation(
                black_box(&graph),
                &supergraph_state,
                &override_context,
                black_box(&operation),
                &cancellation_token,
            )
            .unwrap();
            let query_tree =
                find_best_combination(&graph, best_paths_per_leaf, &cancellation_token).unwrap();
            let fetch_graph = build_fetch_graph_from_query_tree(
                &graph,
                &supergraph_state,
                &override_context,
                query_tree,
                &operation,
                &QueryPlannerOptions::default(),
                &cancellation_token,
            )
            .unwrap();
            black_box(
                build_query_plan_from_fetch_graph(
                    fetch_graph,
                    &supergraph_state,
                    &QueryPlannerOptions::default(),
                    &cancellation_token,
                )
                .unwrap(),
            );
        })
    });
}

fn all_benchmarks(c: &mut Criterion) {
    let _ = tracing::subscriber::set_global_default(tracing::subscriber::NoSubscriber::default());

    query_plan_pipeline(c);
    cache_preparation(c);
    provides_planning(c);
}

criterion_group!(benches, all_benchmarks);
criterion_main!(benches);
