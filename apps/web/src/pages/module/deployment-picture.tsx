import { linkedNode, type NodeDraft } from './draft';

const BOX_W = 150;
const BOX_H = 48;
const GAP = 70;
const TOP = 20;

/** The nodes side by side, and an arrow from each node an input is linked to. */
export function DeploymentPicture({ nodes }: { nodes: NodeDraft[] }) {
  if (nodes.length === 0) return null;
  const x = (index: number) => 10 + index * (BOX_W + GAP);
  const width = x(nodes.length) - GAP + 10;
  const links = nodes.flatMap((node, to) =>
    Object.entries(node.mappings).flatMap(([input, value]) => {
      const link = linkedNode(value);
      const from = link ? nodes.findIndex((n) => n.name === link.node) : -1;
      return from === -1 || from === to || !link
        ? []
        : [{ from, to, label: `${link.key} → ${input}` }];
    }),
  );
  const height = TOP + BOX_H + 30 + links.length * 18;
  const description = links
    .map((link) => `${nodes[link.from]?.name}:${link.label} on ${nodes[link.to]?.name}`)
    .join('; ');
  return (
    <svg
      className="deployment-picture"
      role="img"
      aria-label={`Nodes ${nodes.map((n) => n.name).join(', ')}${description ? `; links: ${description}` : ''}`}
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
    >
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M 0 0 L 10 5 L 0 10 z" className="arrow-head" />
        </marker>
      </defs>
      {links.map((link, i) => {
        const fromX = x(link.from) + BOX_W / 2;
        const toX = x(link.to) + BOX_W / 2;
        const y = TOP + BOX_H;
        const depth = 24 + i * 18;
        return (
          <g key={i} className="link">
            <path
              d={`M ${fromX} ${y} C ${fromX} ${y + depth}, ${toX} ${y + depth}, ${toX} ${y + 2}`}
              markerEnd="url(#arrow)"
            />
            <text x={(fromX + toX) / 2} y={y + depth * 0.75 + 4} textAnchor="middle">
              {link.label}
            </text>
          </g>
        );
      })}
      {nodes.map((node, index) => (
        <g key={index} className="node-box">
          <rect x={x(index)} y={TOP} width={BOX_W} height={BOX_H} rx={6} />
          <text x={x(index) + BOX_W / 2} y={TOP + 20} textAnchor="middle" className="node-name">
            {node.name || '(unnamed)'}
            {node.multiplicity !== 1 ? ` ×${node.multiplicity}` : ''}
          </text>
          <text x={x(index) + BOX_W / 2} y={TOP + 38} textAnchor="middle" className="node-image">
            {(node.image.split('/').at(-1) ?? '').slice(0, 22)}
          </text>
        </g>
      ))}
    </svg>
  );
}
