import type { PipedriveContext } from '../emulator.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { notFound } from './envelope.ts';
import { applyListQuery } from './list-query.ts';
import { paginateByCursor } from './pagination.ts';
import { SCOPES } from './scopes.ts';
import { serializePipelineV2, serializeStageV2 } from './serializers/v2.ts';
import { pathId, queryInteger } from './validation.ts';

/** API v2 pipelines and stages (read only; scope `deals:read`). */
export function registerPipelineEndpoints(endpoint: DefineEndpoint, { state }: PipedriveContext): void {
  endpoint({
    method: 'GET',
    url: '/v2/pipelines',
    version: 'v2',
    operation: 'list',
    scopes: SCOPES.dealsRead,
    handler: ({ caller, query }) => {
      const pipelines = [...state.pipelines.values()].filter(
        (pipeline) => pipeline.companyId === caller.company.id && !pipeline.isDeleted,
      );
      const { page, nextCursor } = paginateByCursor(applyListQuery(pipelines, query, {}), query);
      return { success: true, data: page.map(serializePipelineV2), additional_data: { next_cursor: nextCursor } };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v2/pipelines/:id',
    version: 'v2',
    operation: 'get',
    scopes: SCOPES.dealsRead,
    handler: ({ caller, params }) => {
      const pipeline = state.pipelines.get(pathId(params));
      if (!pipeline || pipeline.companyId !== caller.company.id || pipeline.isDeleted) {
        throw notFound('Pipeline not found');
      }
      return { success: true, data: serializePipelineV2(pipeline) };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v2/stages',
    version: 'v2',
    operation: 'list',
    scopes: SCOPES.dealsRead,
    handler: ({ caller, query }) => {
      const pipelineId = queryInteger(query, 'pipeline_id');
      const stages = [...state.stages.values()].filter(
        (stage) =>
          stage.companyId === caller.company.id &&
          !stage.isDeleted &&
          (pipelineId === undefined || stage.pipelineId === pipelineId),
      );
      const listed = applyListQuery(stages, query, {}, { order_nr: (stage) => stage.orderNr });
      const { page, nextCursor } = paginateByCursor(listed, query);
      return { success: true, data: page.map(serializeStageV2), additional_data: { next_cursor: nextCursor } };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v2/stages/:id',
    version: 'v2',
    operation: 'get',
    scopes: SCOPES.dealsRead,
    handler: ({ caller, params }) => {
      const stage = state.stages.get(pathId(params));
      if (!stage || stage.companyId !== caller.company.id || stage.isDeleted) throw notFound('Stage not found');
      return { success: true, data: serializeStageV2(stage) };
    },
  });
}
