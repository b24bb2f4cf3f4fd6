use std::hash::Hash;
use std::sync::{Arc, LazyLock};

use crate::cache_state::{CacheHitMiss, EntryResultHitMissExt};
use crate::executor::execution::plan::PlanExecutionOutput;
use crate::executor::hooks::on_query_plan::{
    OnQueryPlanEndHookPayload, OnQueryPlanStartHookPayload,
};
use crate::executor::plugin_context::PluginRequestState;
use crate::executor::plugin_trait::{CacheHint, EndControlFlow, StartControlFlow};
use crate::executor::plugins::hooks;
use crate::pipeline::demand_control::formula::DemandControlFormulaPlan;
use crate::pipeline::error::PipelineError;
use crate::pipeline::normalize::GraphQLNormalizationPayload;
use crate::pipeline::progressive_override::{RequestOverrideContext, StableOverrideContext};
use crate::query_planner::ast::hash::Blake3Hasher;
use crate::query_planner::planner::plan_nodes::{Planning, QueryPlan};
use crate::query_planner::planner::query_plan::QUERY_PLAN_KIND;
use crate::query_planner::state::supergraph_state::OperationKind;
use crate::query_planner::utils::cancellation::CancellationToken;
use crate::schema_state::{SchemaState, SelectedSupergraph};
use crate::telemetry::traces::spans::graphql::GraphQLPlanSpan;
use tracing::Instrument;

pub enum QueryPlanResult {
    QueryPlan(PlannedQuery),
    EarlyResponse(PlanExecutionOutput),
}

#[derive(Clone)]
pub struct PlannedQuery {
    pub plan: Arc<QueryPlan>,
    pub demand_control: Option<Arc<DemandControlFormulaPlan>>,
}

fn empty_planning_plan() -> QueryPlan<Planning> {
    QueryPlan {
        kind: QUERY_PLAN_KIND,
        node: None,
    }
}

static EMPTY_QUERY_PLAN: LazyLock<Arc<QueryPlan>> = LazyLock::new(|| {
    Arc::new(QueryPlan {
        kind: QUERY_PLAN_KIND,
        node: None,
    })
});

#[inline]
pub async fn plan_operation_with_cache(
    supergraph: &SelectedSupergraph,
    schema_state: &SchemaState,
    normalized_operation: &GraphQLNormalizationPayload,
    request_override_context: &RequestOverrideContext,
    cancellation_token: &CancellationToken,
    plugin_req_state: &Option<PluginRequestState<'_>>,
) -> Result<QueryPlanResult, PipelineError> {
    let plan_span = GraphQLPlanSpan::new();

    async {
        let mut on_end_callbacks = vec![];
        let mut filtered_operation_for_plan = normalized_operation.operation_for_plan.as_ref();
        if let Some(plugin_req_state) = plugin_req_state {
            let mut start_payload = OnQueryPlanStartHookPayload {
                router_http_request: &plugin_req_state.router_http_request,
                context: &plugin_req_state.context,
                request_context: plugin_req_state
                    .request_context
                    .for_plugin::<hooks::OnQueryPlan>(),
                filtered_operation_for_plan,
                cancellation_token,
                planner: &supergraph.snapshot.planner,
            };

            for plugin in plugin_req_state.plugins.iter() {
                let result = plugin.on_query_plan(start_payload).await;
                start_payload = result.payload;
                match result.control_flow {
                    StartControlFlow::Proceed => {
                        // continue to next plugin
                    }
                    StartControlFlow::EndWithResponse(response) => {
                        return Ok(QueryPlanResult::EarlyResponse(response));
                    }
                    StartControlFlow::OnEnd(callback) => {
                        on_end_callbacks.push(callback);
                    }
                }
            }

            filtered_operation_for_plan = start_payload.filtered_operation_for_plan;
        };

        let metrics = &schema_state.telemetry_context.metrics;
        let plan_cache_capture = metrics.cache.plan.capture_request();

        let stable_override_context = StableOverrideContext::new(
            &supergraph.snapshot.planner.supergraph,
            request_override_context,
        );
        let operation_for_plan_hash = if std::ptr::eq(
            filtered_operation_for_plan,
            normalized_operation.operation_for_plan.as_ref(),
        ) {
            normalized_operation.operation_for_plan_hash
        } else {
            filtered_operation_for_plan.hash()
        };
        let plan_cache_key = calculate_cache_key(operation_for_plan_hash, &stable_override_context);
        let is_plan_operation_empty = filtered_operation_for_plan.selection_set.is_empty();
        let is_projection_plan_empty = normalized_operation.projection_plan.is_empty();
        let contains_introspection = normalized_operation.operation_for_introspection.is_some();
        let is_pure_introspection = is_plan_operation_empty && contains_introspection;
        let is_subscription = matches!(
            filtered_operation_for_plan.operation_kind,
            Some(OperationKind::Subscription)
        );

        let compile_demand_control = |plan: &QueryPlan<Planning>| {
            supergraph
                .runtime
                .demand_control_runtime
                .as_ref()
                .map(|runtime| {
                    Arc::new(runtime.compile_plan(
                        plan,
                        filtered_operation_for_plan,
                        &normalized_operation.root_type_name,
                        &supergraph.snapshot.planner.supergraph,
                    ))
                })
        };

        let mut cache_hint = CacheHint::Hit;
        plan_span.record_cache_hit(true);
        let mut prepared = supergraph
            .runtime
            .plan_cache
            .entry(plan_cache_key)
            .or_try_insert_with(async {
                if is_pure_introspection {
                    return Ok(PlannedQuery {
                        plan: EMPTY_QUERY_PLAN.clone(),
                        demand_control: compile_demand_control(&empty_planning_plan()),
                    });
                }

                // If the operation is empty, but the projection plan is not,,
                // we don't need to run the planner,
                // as there is nothing to plan,
                // but we can't error out either,
                // as it would unwind into PipelineError,
                // and the response would be malformed.
                //
                // One example here is a scenario when all requested fields
                // were unauthorized and stripped out from the operation,
                // but we still need to project nulls for them in the response.
                // That's why we return an empty plan,
                // and allow for response projection to happen later.
                //
                // The same goes for a query or a mutation whose fields were all skipped,
                // like `topProducts @skip(if: true)`: its data is `{}`.
                // A subscription has to select one field, so that one still fails to plan.
                if is_plan_operation_empty && (!is_projection_plan_empty || !is_subscription) {
                    return Ok(PlannedQuery {
                        plan: EMPTY_QUERY_PLAN.clone(),
                        demand_control: compile_demand_control(&empty_planning_plan()),
                    });
                }

                supergraph
                    .snapshot
                    .planner
                    .plan_from_normalized_operation(
                        filtered_operation_for_plan,
                        (&request_override_context.clone()).into(),
                        cancellation_token,
                    )
                    .map(|plan| {
                        let demand_control = compile_demand_control(&plan);
                        PlannedQuery {
                            plan: Arc::new(plan.into_executable()),
                            demand_control,
                        }
                    })
            })
            .await
            .map_err(PipelineError::from)
            .into_result_with_hit_miss(|hit_miss| match hit_miss {
                CacheHitMiss::Hit => {
                    cache_hint = CacheHint::Hit;
                    plan_span.record_cache_hit(true);
                    plan_cache_capture.finish_hit();
                }
                CacheHitMiss::Miss | CacheHitMiss::Error => {
                    cache_hint = CacheHint::Miss;
                    plan_span.record_cache_hit(false);
                    plan_cache_capture.finish_miss();
                }
            })?;

        if !on_end_callbacks.is_empty() {
            let mut end_payload = OnQueryPlanEndHookPayload {
                query_plan: prepared.plan,
                cache_hint,
                request_context: plugin_req_state
                    .as_ref()
                    .map(|state| state.request_context.for_plugin::<hooks::OnQueryPlan>())
                    .unwrap(),
            };
            for callback in on_end_callbacks {
                let result = callback(end_payload);
                end_payload = result.payload;
                match result.control_flow {
                    EndControlFlow::Proceed => {
                        // continue to next callback
                    }
                    EndControlFlow::EndWithResponse(response) => {
                        return Ok(QueryPlanResult::EarlyResponse(response));
                    }
                }
            }
            // Give the ownership back to variables
            prepared.plan = end_payload.into_query_plan();
        }

        Ok(QueryPlanResult::QueryPlan(prepared))
    }
    .instrument(plan_span.clone())
    .await
}

#[inline]
pub fn calculate_cache_key(operation_hash: u128, context: &StableOverrideContext) -> u128 {
    // `operation_hash` is already a 128-bit BLAKE3, we use the same for calculating the final cache key
    // that's based on the operation hash + the overrive context hash
    let mut hasher = Blake3Hasher::default();
    operation_hash.hash(&mut hasher);
    context.hash(&mut hasher);
    hasher.finish_u128()
}
